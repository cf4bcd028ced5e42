import { isIPv4, isIPv6 } from "net";
import { Rule } from "./rule";

/** What a host address is, once parsed. */
export type ParsedAddress = { readonly kind: "dns" | "ipv4" | "ipv6"; readonly address: string };

/**
 * Parses a host address as SSH and URLs take it: a DNS name (labels of letters, digits and
 * inner hyphens), a dotted-quad IPv4 address or an IPv6 address. A name whose last label is
 * numeric must be a whole IPv4 address: `999.1.1.1` or `127.1` is neither name nor address.
 */
export function parseAddress(value: string): ParsedAddress | { error: string } {
    if (value.includes(":")) {
        return isIPv6(value) && !value.includes("%")
            ? { kind: "ipv6", address: value }
            : { error: "an IPv6 address such as 2001:db8::1 (without brackets or zone)" };
    }
    const labels = value.split(".");
    if (/^\d+$/.test(labels[labels.length - 1])) {
        return isIPv4(value) ? { kind: "ipv4", address: value } : { error: "an IPv4 address of four numbers from 0 to 255, such as 203.0.113.10" };
    }
    const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
    return value.length <= 253 && labels.every((l) => label.test(l))
        ? { kind: "dns", address: value }
        : { error: "a hostname (letters, digits and inner hyphens, dot-separated), IPv4 or IPv6 address" };
}

/** {@link parseAddress} as a field rule. */
export const addressRule: Rule = (value) => {
    const parsed = parseAddress(value);
    return "error" in parsed ? parsed.error : undefined;
};
