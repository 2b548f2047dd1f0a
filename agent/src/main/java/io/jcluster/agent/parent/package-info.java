/**
 * What the parent JVM runs instead of the app: wiring only. It builds the supervisor, the routing mode the options
 * chose and the admin endpoint, bridges the admin endpoint to the supervisor's typed results, and coordinates the
 * shutdown. Balancing and supervision logic of its own does not belong here.
 */
package io.jcluster.agent.parent;
