package io.jcluster.agent.service;

import io.jcluster.agent.cluster.LeadershipRouting;
import io.jcluster.agent.supervisor.WorkerRouting;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The routings that wrap the balancer's (ServiceState, LeadershipRouting) pass every call on: a default method they
 * do not override answers for the wrapper instead of the balancer (max-requests never saw a request served once
 * ServiceState wrapped the routing without passing served() on).
 */
class RoutingDecoratorsTest {

    @Test
    void everyDefaultMethodOfWorkerRoutingIsPassedOnByEachWrapper() {
        for (Class<?> wrapper : List.of(ServiceState.class, LeadershipRouting.class)) {
            List<String> missing = new ArrayList<>();
            for (Method method : WorkerRouting.class.getMethods()) {
                if (!method.isDefault()) {
                    continue;
                }
                // the wrapper's own or ForwardingRouting's, which passes each on (ForwardingRoutingTest)
                try {
                    if (wrapper.getMethod(method.getName(), method.getParameterTypes()).getDeclaringClass()
                            == WorkerRouting.class) {
                        missing.add(method.getName());
                    }
                } catch (NoSuchMethodException e) {
                    throw new AssertionError(e);
                }
            }
            assertEquals(List.of(), missing, wrapper.getSimpleName() + " must pass these on to the routing it wraps");
        }
    }
}
