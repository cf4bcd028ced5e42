import { nixCacheProgram } from "./program";

// The stack outputs are the program's outputs, those of disabled parts left out. A promise: the
// cache is read from Cachix before anything is registered, and the engine awaits it.
export = nixCacheProgram();
