/** A titled group of a manager tab: the section, labelled by its heading, with whatever goes beside the title and an optional description. */
import type { ReactNode } from 'react';

interface GroupSectionProps {
  /** The heading's id; it labels the section. */
  readonly headingId: string;
  readonly title: ReactNode;
  /** Beside the title: a count, a button. */
  readonly aside?: ReactNode;
  readonly description?: string;
  readonly 'data-testid'?: string;
  readonly children: ReactNode;
}

export function GroupSection({ headingId, title, aside, description, 'data-testid': testId, children }: GroupSectionProps) {
  return (
    <section className="group" data-testid={testId} aria-labelledby={headingId}>
      <div className="group-header">
        <h2 id={headingId} className="group-title">
          {title}
        </h2>
        {aside}
      </div>
      {description === undefined ? null : <p className="group-desc">{description}</p>}
      {children}
    </section>
  );
}
