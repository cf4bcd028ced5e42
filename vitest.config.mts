import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        setupFiles: ["test/support/localNixSetup.ts"],
        // Pulumi's runtime keeps global state (mocks, config): one process per test file.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 300_000,
        reporters: ["default"],
    },
});
