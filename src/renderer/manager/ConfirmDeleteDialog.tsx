/**
 * Asks before a secret is deleted, naming the server and the secret. A modal
 * <dialog>: focus stays inside, Esc cancels, and Cancel (not Delete) has
 * focus when it opens.
 */
import { useEffect, useRef } from 'react';

interface ConfirmDeleteDialogProps {
  readonly server: string;
  readonly name: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDeleteDialog({ server, name, onConfirm, onCancel }: ConfirmDeleteDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog === null) return undefined;
    if (!dialog.open) dialog.showModal();
    cancelRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
    };
  }, []);

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="confirm-delete-title"
      aria-describedby="confirm-delete-text"
      // Esc fires "cancel" and then "close"; a close from any cause means "no".
      onClose={onCancel}
    >
      <h2 id="confirm-delete-title" className="dialog-title">
        Delete <span className="mono">{name}</span> from {server}?
      </h2>
      <p id="confirm-delete-text" className="dialog-text">
        The value is removed from your keychain, and any session grant or always-allow rule for it ends. {server} will have to ask for it again.
      </p>
      <div className="dialog-buttons">
        <button type="button" className="btn" ref={cancelRef} data-testid="confirm-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="btn btn-danger-filled" data-testid="confirm-delete" onClick={onConfirm}>
          Delete
        </button>
      </div>
    </dialog>
  );
}
