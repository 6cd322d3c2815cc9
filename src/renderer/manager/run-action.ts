/**
 * How a manager view calls main for a change: the window runs the call, shows
 * any failure in its error banner, and reloads its state afterwards.
 * Resolves to the call's result, or undefined when it failed (every manager
 * response is an object, so undefined always means failure).
 */
export type RunAction = <T extends object>(action: () => Promise<T>) => Promise<T | undefined>;
