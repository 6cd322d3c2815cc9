/** Mounts a window's root component into #root. */
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

export function mount(app: ReactNode): void {
  const container = document.getElementById('root');
  if (container === null) throw new Error('The page has no #root element.');
  createRoot(container).render(<StrictMode>{app}</StrictMode>);
}
