import { useLocalNix } from "../../scripts/localhost/localNix";

// Every Nix a test starts on this machine reads the project's machine settings, never /etc/nix.
useLocalNix();
