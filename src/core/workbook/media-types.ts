/**
 * What each material file is: its media type, the short label the player shows beside the
 * download ("PDF", "Word document"), and whether a browser would run it as active content.
 */
import path from 'node:path';

/** A known file type. */
export interface FileType {
  /** IANA media type (also the zip/manifest type). */
  mediaType: string;
  /** Short, learner-facing name of the type. */
  label: string;
}

const TYPES: Record<string, FileType> = {
  '.pdf': { mediaType: 'application/pdf', label: 'PDF' },
  '.docx': { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', label: 'Word document' },
  '.doc': { mediaType: 'application/msword', label: 'Word document' },
  '.xlsx': { mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', label: 'Excel workbook' },
  '.xls': { mediaType: 'application/vnd.ms-excel', label: 'Excel workbook' },
  '.pptx': { mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', label: 'PowerPoint presentation' },
  '.ppt': { mediaType: 'application/vnd.ms-powerpoint', label: 'PowerPoint presentation' },
  '.odt': { mediaType: 'application/vnd.oasis.opendocument.text', label: 'OpenDocument text' },
  '.ods': { mediaType: 'application/vnd.oasis.opendocument.spreadsheet', label: 'OpenDocument spreadsheet' },
  '.odp': { mediaType: 'application/vnd.oasis.opendocument.presentation', label: 'OpenDocument presentation' },
  '.csv': { mediaType: 'text/csv', label: 'CSV spreadsheet' },
  '.txt': { mediaType: 'text/plain', label: 'Text file' },
  '.md': { mediaType: 'text/markdown', label: 'Markdown text' },
  '.rtf': { mediaType: 'application/rtf', label: 'Rich text document' },
  '.zip': { mediaType: 'application/zip', label: 'ZIP archive' },
  '.png': { mediaType: 'image/png', label: 'PNG image' },
  '.jpg': { mediaType: 'image/jpeg', label: 'JPEG image' },
  '.jpeg': { mediaType: 'image/jpeg', label: 'JPEG image' },
  '.gif': { mediaType: 'image/gif', label: 'GIF image' },
  '.webp': { mediaType: 'image/webp', label: 'WebP image' },
  '.svg': { mediaType: 'image/svg+xml', label: 'SVG image' },
  '.mp3': { mediaType: 'audio/mpeg', label: 'MP3 audio' },
  '.mp4': { mediaType: 'video/mp4', label: 'MP4 video' },
  '.html': { mediaType: 'text/html', label: 'Web page' },
  '.htm': { mediaType: 'text/html', label: 'Web page' },
};

/** Image extensions a workbook may show inline. */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.gif', '.webp', '.svg'];

/**
 * Extensions a browser runs as a document with script when opened from the bundle: served
 * from the LMS's origin, such a file could act in the learner's LMS session. They are refused
 * as downloads and as link targets (SVG is only ever embedded as an image, never linked).
 */
const ACTIVE_EXTENSIONS = new Set(['.html', '.htm', '.xhtml', '.xht', '.shtml', '.svg', '.svgz', '.xml', '.xsl', '.xslt', '.js', '.mjs', '.cjs', '.swf', '.hta', '.mht', '.mhtml']);

/** The file type of `file` by its extension; `application/octet-stream` when unknown. */
export function fileTypeOf(file: string): FileType {
  const ext = path.extname(file).toLowerCase();
  return TYPES[ext] ?? { mediaType: 'application/octet-stream', label: ext ? `${ext.slice(1).toUpperCase()} file` : 'File' };
}

/** True when a browser would run the file as a scriptable document (see ACTIVE_EXTENSIONS). */
export function isActiveContent(file: string): boolean {
  return ACTIVE_EXTENSIONS.has(path.extname(file).toLowerCase());
}

/** True for Markdown files, which are rendered to HTML rather than shipped as-is. */
export function isMarkdown(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  return ext === '.md' || ext === '.markdown';
}
