import sanitizeHtml from 'sanitize-html';
import { invalid } from '../platform/errors.js';

/**
 * Rich text (question text, options, explanations, exam descriptions) is HTML from an
 * editor, shown to every student: sanitized on write so what is stored is safe to render.
 */

/** Images we host (content-hash names from the upload endpoint) or plain web images. */
const OUR_UPLOAD = /^\/uploads\/[a-f0-9]{64}\.(png|jpg|gif|webp)$/;
const WEB_IMAGE = /^https?:\/\/[^\s"'<>]+$/i;

export function isAllowedImageSrc(src: string | undefined): boolean {
  if (!src) return false;
  return OUR_UPLOAD.test(src) || WEB_IMAGE.test(src);
}

/**
 * A base64 (or any inline data:) image makes every question payload megabytes heavy for
 * thousands of students at once (seed 000, "No Base64"): refused outright, not silently
 * dropped, so the author knows to upload the image instead.
 */
const INLINE_IMAGE = /data:\s*image\/|data:[^,\s"'<>]*;\s*base64\s*,/i;

export function hasInlineImage(html: string): boolean {
  return INLINE_IMAGE.test(html);
}

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'div',
    'span',
    'blockquote',
    'pre',
    'code',
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'strike',
    'sub',
    'sup',
    'mark',
    'small',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'ul',
    'ol',
    'li',
    'table',
    'caption',
    'colgroup',
    'col',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'th',
    'td',
    'img',
    'a',
  ],
  allowedAttributes: {
    // target and rel are set by transformTags below, whatever the author wrote
    a: ['href', 'title', 'target', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    ol: ['start', 'type'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    col: ['span'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Links open outside the exam tab, and never hand the exam page to the opened site.
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer' }),
  },
  // An <img> pointing anywhere else (relative paths, javascript:, …) is removed entirely.
  exclusiveFilter: (frame) => frame.tag === 'img' && !isAllowedImageSrc(frame.attribs['src']),
};

/** Sanitized HTML, trimmed. Pure: the same input always gives the same output. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, OPTIONS).trim();
}

/** True when the HTML shows nothing: no text and no image. */
export function isBlankRichText(html: string): boolean {
  if (/<img\b/i.test(html)) return false;
  return (
    sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }).replace(/&nbsp;|\s/g, '') === ''
  );
}

/**
 * The write path for one rich-text field: refuse inline images (naming the field, as
 * API.md asks), then sanitize.
 */
export function cleanRichText(field: string, html: string): string {
  if (hasInlineImage(html)) {
    throw invalid(
      `${field} contains an inline (data:) image; upload it via POST /api/v1/admin/uploads/images and use its URL`,
    );
  }
  return sanitizeRichText(html);
}
