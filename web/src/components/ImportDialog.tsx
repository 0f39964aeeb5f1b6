import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ImportResult } from '../api/types';
import { useT } from '../i18n/i18n';
import { Dialog } from './Dialog';
import { downloadFile } from '../api/download';
import { ErrorNote } from './ui';

interface ImportDialogProps {
  title: string;
  help: ReactNode;
  /** a CSV with the right header row, fetched with the bearer token */
  template?: { url: string; fileName: string };
  onClose: () => void;
  onImport: (file: File) => Promise<ImportResult>;
  onDone: () => void;
}

/** Upload a CSV/XLSX file and show what the server made of it, row by row. */
export function ImportDialog({
  title,
  help,
  template,
  onClose,
  onImport,
  onDone,
}: ImportDialogProps) {
  const t = useT();
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ImportResult | null>(null);

  async function upload(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const res = await onImport(file);
      setResult(res);
      if (res.created + (res.updated ?? 0) > 0) onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={title} onClose={onClose} size="md">
      <form className="stack" onSubmit={upload}>
        <div className="note note--info">
          <span>{help}</span>
          {template && (
            <button
              type="button"
              className="btn btn--link btn--sm"
              onClick={() =>
                void downloadFile(template.url, template.fileName).catch((err: unknown) =>
                  setError(err),
                )
              }
            >
              {t('import.template')}
            </button>
          )}
        </div>
        <div className="field">
          <label htmlFor={inputId}>{t('import.file')}</label>
          <input
            id={inputId}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
            }}
          />
        </div>
        <ErrorNote error={error} />
        {result && (
          <div className="stack-sm" role="status" aria-live="polite" data-testid="import-result">
            <div className="row">
              <span className="badge badge--success">
                {t('import.created', { n: result.created })}
              </span>
              {result.updated !== undefined && (
                <span className="badge badge--info">
                  {t('import.updated', { n: result.updated })}
                </span>
              )}
              <span
                className={`badge ${result.errors.length ? 'badge--danger' : 'badge--neutral'}`}
              >
                {t('import.errors', { n: result.errors.length })}
              </span>
            </div>
            {result.errors.length > 0 && (
              <div className="table-scroll table-scroll--short">
                <table className="table table--compact">
                  <caption className="sr-only">{t('import.rowErrors')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('import.row')}</th>
                      <th scope="col">{t('import.problem')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.errors.map((e, i) => (
                      <tr key={`${e.row}-${i}`}>
                        <td>{e.row}</td>
                        <td>{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </div>
        )}
        <div className="row row--end">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            {result ? t('common.done') : t('common.cancel')}
          </button>
          <button type="submit" className="btn btn--primary" disabled={!file || busy}>
            {busy ? t('import.uploading') : t('import.upload')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
