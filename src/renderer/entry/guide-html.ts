/**
 * Turns a server's Markdown guide into HTML that is safe to put in the page.
 * The guide comes from the MCP server, so it is untrusted: marked renders it,
 * then DOMPurify keeps only plain document markup (no scripts, styles,
 * frames, forms or embedded content; no style attributes), links only to
 * https/http/mailto, and images only from data: URIs (never a remote fetch).
 * Links are kept for display; the page intercepts every click on them.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const markdown = new Marked({ async: false, gfm: true, breaks: false });

const purifier = DOMPurify(window);

const FORBID_TAGS = [
  'script', 'style', 'link', 'meta', 'base', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form',
  'input', 'button', 'select', 'option', 'textarea', 'audio', 'video', 'source', 'track', 'picture', 'dialog', 'template', 'svg', 'math',
];
/**
 * No styles, and no class/id/name either: the guide must not borrow Keyhold's
 * own look (a fake "verified" badge or verification code) or collide with the
 * page's ids.
 */
const FORBID_ATTR = ['style', 'class', 'id', 'name', 'srcset', 'action', 'formaction', 'ping', 'target', 'background', 'poster'];
/** A data: image in an <img> is allowed by DOMPurify's data-URI rule; everything else must match this. */
const ALLOWED_URI = /^(?:https?:|mailto:|#)/i;
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp);/i;

export function guideToSafeHtml(guide: string): string {
  const rendered = markdown.parse(guide, { async: false });
  const fragment = purifier.sanitize(rendered, {
    USE_PROFILES: { html: true },
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOWED_URI_REGEXP: ALLOWED_URI,
    ALLOW_DATA_ATTR: false,
    RETURN_DOM_FRAGMENT: true,
  });
  for (const image of Array.from(fragment.querySelectorAll('img'))) {
    if (!DATA_IMAGE.test(image.getAttribute('src') ?? '')) image.replaceWith(image.getAttribute('alt') ?? '');
  }
  for (const link of Array.from(fragment.querySelectorAll('a'))) {
    link.setAttribute('rel', 'noopener noreferrer');
    const href = link.getAttribute('href');
    if (href !== null && !href.startsWith('#')) link.setAttribute('title', href);
  }
  const container = document.createElement('div');
  container.append(fragment);
  return container.innerHTML;
}
