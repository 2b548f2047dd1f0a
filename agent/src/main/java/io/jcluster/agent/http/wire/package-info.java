/**
 * HTTP/1.1 framing, pure: bytes in, facts out. The head scanner and its parsed view, the one comma-list and
 * Connection-token parser, the header and start-line rules that return a violation (the caller picks the status code),
 * chunked bodies, hop-by-hop headers and head rewriting. Depends only on {@code java.*} and Netty's buffers, so every
 * caller frames a message the same way and the code can be tested and fuzzed alone (RFC 9112, RFC 9110).
 */
package io.jcluster.agent.http.wire;
