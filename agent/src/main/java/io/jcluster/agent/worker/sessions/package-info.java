/**
 * sessions=shared in a worker: the store the session adapters use ({@link io.jcluster.agent.worker.sessions.WorkerSessions}),
 * the advice that notices a server starting its sessions, and the loader that defines the adapters beside that
 * server's classes. java.* only, like the rest of the worker.
 */
package io.jcluster.agent.worker.sessions;
