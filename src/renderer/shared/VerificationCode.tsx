/** The verification code the user compares with their MCP client, and the time left to answer. */
import { useCountdown } from './use-countdown.js';

/** `compact` lays the code beside its label (the entry window, where the fields need the room). */
export function VerificationCode({ code, compact = false }: { code: string; compact?: boolean }) {
  return (
    <section className={compact ? 'code-card code-card-compact' : 'code-card'} aria-labelledby="verification-code-label">
      <h2 id="verification-code-label" className="code-label">
        Verification code
      </h2>
      <div className="code" data-testid="verification-code">
        {code}
      </div>
      <p className="code-hint">Check that your MCP client shows the same code</p>
    </section>
  );
}

export function CountdownText({ expiresAt }: { expiresAt: number }) {
  const countdown = useCountdown(expiresAt);
  return (
    <p className={`countdown-line${countdown.urgent ? ' countdown-urgent' : ''}`}>
      {countdown.expired ? 'Expired ' : 'Expires in '}
      <time role="timer" data-testid="countdown" dateTime={`PT${Math.ceil(countdown.remainingMs / 1000)}S`}>
        {countdown.text}
      </time>
    </p>
  );
}
