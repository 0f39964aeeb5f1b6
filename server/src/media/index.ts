/** What other features use of media: the rich-text (HTML) rules every authored text passes. */
export {
  cleanRichText,
  hasInlineImage,
  isAllowedImageSrc,
  isBlankRichText,
  sanitizeRichText,
} from './rich-text.js';
export type { UploadsService } from './uploads.service.js';
