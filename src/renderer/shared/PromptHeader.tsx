/**
 * The top of a prompt window: icon, the question as the heading, and the
 * server. The heading takes focus when the window opens so that no button
 * does: a stray Enter or Space (typed for another window) answers nothing.
 * The question is `#prompt-title`, which labels the window's main element.
 */
import { useEffect, useRef, type ReactNode } from 'react';

import { ClientText } from './ClientText.js';
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
          <span id="prompt-title">{title}</span>
        </h1>
        <p className="prompt-subtitle">
          MCP server <span className="strong" data-testid="server">{server}</span>
          {serverVersion === undefined ? null : <span className="muted"> · version <ClientText text={serverVersion} /></span>}
        </p>
      </div>
    </header>
  );
}
