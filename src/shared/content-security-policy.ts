/**
 * The Content Security Policy of every Keyhold window, written once: main
 * sends it as a response header (session-hardening.ts), the build writes it
 * into each page's meta tag (the `%KEYHOLD_CSP%` placeholder, replaced by
 * electron.vite.config.ts), and the browser test harness serves it. The
 * security check (scripts/security-check.mjs) compares the built pages with it.
 * No images at all (`img-src 'none'`): Keyhold's icons are inline SVG, and a
 * guide's image could draw a convincing fake code box.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'none'",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The policy in the pages' meta tags: the same, less `frame-ancestors`, which
 * browsers ignore (and warn about) in a meta tag; the response header carries it.
 */
export const PAGE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');

/** The placeholder the pages' meta tags carry in src/renderer/*.html. */
export const CSP_PLACEHOLDER = '%KEYHOLD_CSP%';
