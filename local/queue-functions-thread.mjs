// Starts the queue functions' thread: TypeScript is loaded here through tsx's API (a worker does not inherit the loader the main thread was started with).
import { register } from 'tsx/esm/api';

register();
await import('./queue-functions-worker.ts');
