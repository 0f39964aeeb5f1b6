import { useCallback, useRef, useState, type ReactNode } from 'react';
import { useT } from '../i18n/i18n';
import { Dialog } from './Dialog';

interface ConfirmOptions {
  title: string;
  body?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
}

/** A promise-returning confirm on our own dialog (window.confirm cannot be styled or translated). */
export function useConfirm(): [(options: ConfirmOptions) => Promise<boolean>, ReactNode] {
  const t = useT();
  const [options, setOptions] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<(value: boolean) => void>(() => {});

  const confirm = useCallback((next: ConfirmOptions) => {
    setOptions(next);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);

  const close = (value: boolean) => {
    setOptions(null);
    resolver.current(value);
  };

  const element = (
    <Dialog
      open={options !== null}
      title={options?.title ?? ''}
      onClose={() => close(false)}
      size="sm"
      role="alertdialog"
      footer={
        <>
          <button type="button" className="btn btn--ghost" onClick={() => close(false)}>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            className={`btn ${options?.danger ? 'btn--danger' : 'btn--primary'}`}
            onClick={() => close(true)}
          >
            {options?.confirmLabel ?? t('common.confirm')}
          </button>
        </>
      }
    >
      {options?.body && <div className="stack-sm">{options.body}</div>}
    </Dialog>
  );
  return [confirm, element];
}
