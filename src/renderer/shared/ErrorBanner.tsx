/** A problem the user should read: an assertive live region so screen readers announce it. */
import { WarningIcon } from './icons.js';

export function ErrorBanner({ message, onDismiss }: { message: string; onDismiss?: () => void }) {
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner">
      <WarningIcon className="banner-icon" />
      <span className="banner-text">{message}</span>
      {onDismiss === undefined ? null : (
        <button type="button" className="btn btn-small btn-plain" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
