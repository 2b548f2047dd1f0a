package io.jcluster.agent.supervisor;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ForwardingRoutingTest {

    /** Each callback, the interface's defaults too, reaches the routing behind: a watcher drops none. */
    @Test
    void everyCallbackIsPassedOn() throws Exception {
        List<String> heard = new ArrayList<>();
        WorkerRouting behind = (WorkerRouting) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {WorkerRouting.class}, (proxy, method, args) -> {
                    heard.add(method.getName());
                    Class<?> type = method.getReturnType();
                    return type == long.class ? 0L : null;
                });
        WorkerRouting forwarding = new ForwardingRouting(behind) {
        };
        List<String> called = new ArrayList<>();
        for (Method method : WorkerRouting.class.getMethods()) {
            Object[] args = new Object[method.getParameterCount()];
            for (int i = 0; i < args.length; i++) {
                args[i] = method.getParameterTypes()[i] == int.class ? 0 : null;
            }
            method.invoke(forwarding, args);
            called.add(method.getName());
        }
        assertEquals(called, heard);
    }
}
