import { requestRaw } from './http';

/**
 * Fetches a file with the bearer token (a plain link cannot carry it) and hands the bytes to
 * the browser as a download, named as the server suggests.
 */
export async function downloadFile(url: string, fallbackName: string): Promise<void> {
  const res = await requestRaw(url);
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const name =
    /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ??
    /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name ? decodeURIComponent(name) : fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
