package io.jcluster.agent.config;

import java.util.List;
import java.util.Map;

import static io.jcluster.agent.config.OptionValues.ON_OFF;
import static io.jcluster.agent.config.OptionValues.oneOf;
import static io.jcluster.agent.config.OptionValues.single;
import static io.jcluster.agent.config.OptionValues.size;
import static io.jcluster.agent.config.OptionValues.sizeNotOff;

/** The HTTP options that need more than a check of their form: the cache's sizes, tls-provider, sticky, health. */
final class HttpOptionRules {

    static final Map<String, Options.H2cUpgrade> H2C_UPGRADES = Map.of(
            "refuse", Options.H2cUpgrade.REFUSE, "pass", Options.H2cUpgrade.PASS);

    private HttpOptionRules() {
    }

    record CacheSizes(long size, long maxObject, boolean statusHeader) {
    }

    static CacheSizes cache(Map<Option, List<String>> given, Options.Mode mode) throws OptionException {
        String sizeValue = single(given, Option.CACHE);
        long size = size(Option.CACHE, sizeValue);
        String maxObjectValue = single(given, Option.CACHE_MAX_OBJECT);
        long maxObject = sizeNotOff(Option.CACHE_MAX_OBJECT, maxObjectValue);
        boolean statusHeader = oneOf(Option.CACHE_STATUS_HEADER, single(given, Option.CACHE_STATUS_HEADER), ON_OFF);
        if (size > 0 && mode != Options.Mode.HTTP) {
            throw new OptionException("cache=" + sizeValue + ": needs mode=http (the cache answers HTTP requests;"
                    + " tcp mode relays bytes it does not read)");
        }
        if (size > 0 && maxObject > size) {
            throw new OptionException("cache-max-object=" + maxObjectValue + ": at most cache=" + sizeValue
                    + "; give a smaller cache-max-object or a larger cache");
        }
        return new CacheSizes(size, maxObject, statusHeader);
    }

    /** Given without tls-cert it would choose nothing: refused rather than silently ignored. */
    static Options.TlsProvider tlsProvider(Map<Option, List<String>> given, String tlsCert)
            throws OptionException {
        String value = single(given, Option.TLS_PROVIDER);
        Options.TlsProvider choice = null;
        for (Options.TlsProvider provider : Options.TlsProvider.values()) {
            if (provider.key().equals(value)) {
                choice = provider;
            }
        }
        if (choice == null) {
            throw OptionException.badValue(Option.TLS_PROVIDER, value);
        }
        if (given.containsKey(Option.TLS_PROVIDER) && tlsCert == null) {
            throw new OptionException("tls-provider=" + value + ": needs tls-cert (it chooses who terminates the"
                    + " parent's TLS; without tls-cert there is none)");
        }
        return choice;
    }

    static String sticky(String value, Options.Mode mode) throws OptionException {
        if (value.equals(Options.NOT_STICKY)) {
            return value;
        }
        // a cookie name is an RFC 6265 token
        if (!value.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw OptionException.badValue(Option.STICKY, value);
        }
        if (mode != Options.Mode.HTTP) {
            throw new OptionException("sticky=" + value + ": needs mode=http (in tcp mode the balancer does not read"
                    + " requests, so it cannot see cookies)");
        }
        return value;
    }

    static String healthPath(String value) throws OptionException {
        if (value.equals("tcp")) {
            return null;
        }
        if (!value.startsWith("/") || value.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw OptionException.badValue(Option.HEALTH, value);
        }
        return value;
    }
}
