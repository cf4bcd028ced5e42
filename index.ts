import { nixCacheProgram } from "./program";

// The stack outputs are the program's outputs, those of disabled parts left out.
export = nixCacheProgram();
