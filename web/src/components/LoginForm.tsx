import { useState, type FormEvent, type HTMLAttributes } from 'react';
import { useT } from '../i18n/i18n';
import { ErrorNote } from './ui';

/** The field that says who is signing in: a staff email or a student's NISN. */
export interface IdentityField {
  id: string;
  name?: string;
  label: string;
  type?: 'email' | 'text';
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  placeholder?: string;
}

export interface LoginFormProps {
  identity: IdentityField;
  password: { id: string; name?: string };
  /** resolves once the token pair is stored; rejects with the ApiError to show */
  signIn: (identity: string, password: string) => Promise<unknown>;
  onSignedIn: () => void;
}

/**
 * Sign-in for staff and students alike. The browser's validation bubbles are off: the button
 * waits until both fields are filled, and a refusal is the server's, shown under the fields
 * in the reader's language.
 */
export function LoginForm({ identity, password, signIn, onSignedIn }: LoginFormProps) {
  const t = useT();
  const [who, setWho] = useState('');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(who, secret);
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={identity.id}>{identity.label}</label>
        <input
          id={identity.id}
          name={identity.name}
          type={identity.type}
          inputMode={identity.inputMode}
          autoComplete="username"
          required
          autoFocus
          value={who}
          onChange={(e) => setWho(e.target.value)}
          placeholder={identity.placeholder}
        />
      </div>
      <div className="field">
        <label htmlFor={password.id}>{t('login.password')}</label>
        <input
          id={password.id}
          name={password.name}
          type="password"
          autoComplete="current-password"
          required
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
      </div>
      <ErrorNote error={error} />
      <button
        type="submit"
        className="btn btn--primary btn--block btn--lg"
        disabled={busy || !who || !secret}
      >
        {busy ? t('login.signingIn') : t('login.signIn')}
      </button>
    </form>
  );
}
