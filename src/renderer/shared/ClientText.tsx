/**
 * Text a client chose (reason, tool, version, label, help, process path and
 * command line), shown inert: bidi controls and invisible characters become a
 * visible `�` and blank-looking ones a space (src/shared/client-text.ts;
 * main has done it too), and the text is isolated in a `<bdi>`, so
 * right-to-left text in it cannot reorder Keyhold's words around it.
 */
import { neutralizeClientText } from '../../shared/client-text.js';

export function ClientText({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  return (
    <bdi className={className} data-testid={testId} data-client-text="">
      {neutralizeClientText(text)}
    </bdi>
  );
}
