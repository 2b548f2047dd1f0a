/**
 * The parent-worker control channel, defined once and used by both ends: the messages, the server in the parent,
 * the client in the worker, and the private control directory. Plain JDK code, because the worker end must stay light.
 */
package io.jcluster.agent.control;
