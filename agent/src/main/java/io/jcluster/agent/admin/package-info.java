/**
 * The admin endpoint (GET /status, /metrics; POST /reload, /scale, /restart): access rules against a hostile
 * local user or web page, and the status and metrics texts. It sees the cluster only through
 * {@link io.jcluster.agent.admin.ClusterOperations}; nothing below the wiring knows it.
 */
package io.jcluster.agent.admin;
