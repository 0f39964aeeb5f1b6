import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { en, type MessageKey } from './en';
import { id } from './id';

export type Lang = 'en' | 'id';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, id };
const KEY = 'examhall.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'id') return saved;
  return navigator.language?.toLowerCase().startsWith('id') ? 'id' : 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  /** locale-aware date and time */
  formatDateTime: (iso: string | null | undefined) => string;
  formatTime: (iso: string | null | undefined) => string;
  formatNumber: (value: number, digits?: number) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(KEY, next);
    setLangState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    const locale = lang === 'id' ? 'id-ID' : 'en-GB';
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const time = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });
    return {
      lang,
      setLang,
      t: (key, vars) => {
        let text = dict[key] ?? en[key] ?? key;
        if (vars)
          for (const [name, v] of Object.entries(vars))
            text = text.replaceAll(`{${name}}`, String(v));
        return text;
      },
      formatDateTime: (iso) => (iso ? dateTime.format(new Date(iso)) : '—'),
      formatTime: (iso) => (iso ? time.format(new Date(iso)) : '—'),
      formatNumber: (v, digits = 0) =>
        new Intl.NumberFormat(locale, {
          maximumFractionDigits: digits,
          minimumFractionDigits: 0,
        }).format(v),
    };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export function useT(): Translate {
  return useI18n().t;
}

export function LanguageSwitcher({ compact = false }: { compact?: boolean }) {
  const { lang, setLang, t } = useI18n();
  return (
    <div
      className={`lang-switch${compact ? ' lang-switch--compact' : ''}`}
      role="group"
      aria-label={t('lang.label')}
    >
      {(['en', 'id'] as const).map((code) => (
        <button
          key={code}
          type="button"
          className="lang-switch__btn"
          aria-pressed={lang === code}
          aria-label={code === 'en' ? 'English' : 'Bahasa Indonesia'}
          onClick={() => setLang(code)}
        >
          {code.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
