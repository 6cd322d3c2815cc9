/**
 * Turns a server's Markdown guide into HTML that is safe to put in the page.
 * The guide comes from the MCP server, so it is untrusted: marked renders it,
 * then DOMPurify keeps only plain document markup (no scripts, styles,
 * frames, forms, images or other embedded content; no style attributes), and
 * links only to https/http/mailto. A Markdown image shows as the words
 * "[image not shown: <alt>]": a picture could draw a convincing fake code box
 * or "verified" badge (the pages' CSP allows no image either).
 * Bidi controls in the text are neutralised (a visible �, client-text.ts) so
 * the guide reads in the order it was written.
 * Links are kept for display; the page intercepts every click on them.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

import { neutralizeClientText } from '../../shared/client-text.js';

const markdown = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  renderer: {
    image: ({ text }) => escapeHtml(`[image not shown${text.trim() === '' ? '' : `: ${text.trim()}`}]`),
  },
});

const purifier = DOMPurify(window);

const FORBID_TAGS = [
  'script', 'style', 'link', 'meta', 'base', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'img', 'image',
  'input', 'button', 'select', 'option', 'textarea', 'audio', 'video', 'source', 'track', 'picture', 'dialog', 'template', 'svg', 'math',
];
/**
 * No styles, and no class/id/name either: the guide must not borrow Keyhold's
 * own look (a fake "verified" badge or verification code) or collide with the
 * page's ids.
 */
const FORBID_ATTR = ['style', 'class', 'id', 'name', 'srcset', 'action', 'formaction', 'ping', 'target', 'background', 'poster'];
/** Link targets; nothing else (no data:, javascript:, file:). */
const ALLOWED_URI = /^(?:https?:|mailto:|#)/i;

export function guideToSafeHtml(guide: string): string {
  const rendered = markdown.parse(neutralizeClientText(guide), { async: false });
  const fragment = purifier.sanitize(rendered, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOWED_URI_REGEXP: ALLOWED_URI,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  for (const link of Array.from(fragment.querySelectorAll('a'))) {
    link.setAttribute('rel', 'noopener noreferrer');
    const href = link.getAttribute('href');
    if (href !== null && !href.startsWith('#')) link.setAttribute('title', neutralizeClientText(href));
  }
  const container = document.createElement('div');
  container.append(fragment);
  return container.innerHTML;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
