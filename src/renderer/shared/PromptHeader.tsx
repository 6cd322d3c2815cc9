/**
 * The top of a prompt window: icon, the question as the heading, and the
 * server. The heading takes focus when the window opens so that no button
 * does: a stray Enter or Space (typed for another window) answers nothing.
 */
import { useEffect, useRef, type ReactNode } from 'react';

import { KeyIcon } from './icons.js';

interface PromptHeaderProps {
  readonly title: ReactNode;
  readonly server: string;
  readonly serverVersion: string | undefined;
}

export function PromptHeader({ title, server, serverVersion }: PromptHeaderProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <header className="prompt-header">
      <div className="prompt-icon">
        <KeyIcon />
      </div>
      <div className="prompt-titles">
        <h1 className="prompt-title" tabIndex={-1} ref={headingRef}>
          {title}
        </h1>
        <p className="prompt-subtitle">
          MCP server <span className="strong" data-testid="server">{server}</span>
          {serverVersion === undefined ? null : <span className="muted"> · version {serverVersion}</span>}
        </p>
      </div>
    </header>
  );
}

/** A label/value row in a prompt's details list. */
export function DetailRow({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="detail-row">
      <dt className="detail-label">{label}</dt>
      <dd className="detail-value">{children}</dd>
    </div>
  );
}
