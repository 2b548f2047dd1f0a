package io.jcluster.agent.worker;

import org.junit.jupiter.api.Test;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The shutdown command as a worker reads it from Tomcat's {@code <domain>:type=Server} MBean (a model MBean whose
 * attributes are named as StandardServer's properties: {@code portWithOffset}, {@code port}, {@code shutdown}).
 */
class TomcatShutdownCommandTest {

    /** An MBean with the given attributes only, as Tomcat's model MBean answers them. */
    private record Attributes(Map<String, Object> values) implements DynamicMBean {
        @Override
        public Object getAttribute(String attribute) throws AttributeNotFoundException {
            if (!values.containsKey(attribute)) {
                throw new AttributeNotFoundException(attribute);
            }
            Object value = values.get(attribute);
            if (value instanceof RuntimeException failure) {
                throw failure;
            }
            return value;
        }

        @Override
        public void setAttribute(Attribute attribute) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AttributeList getAttributes(String[] attributes) {
            return new AttributeList();
        }

        @Override
        public AttributeList setAttributes(AttributeList attributes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object invoke(String action, Object[] params, String[] signature) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MBeanInfo getMBeanInfo() {
            return new MBeanInfo(Attributes.class.getName(), "test", null, null, null, null);
        }
    }

    private static MBeanServer with(Map<String, Map<String, Object>> beans) throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer(); // not in findMBeanServer's list
        for (Map.Entry<String, Map<String, Object>> bean : beans.entrySet()) {
            server.registerMBean(new Attributes(bean.getValue()), new ObjectName(bean.getKey()));
        }
        return server;
    }

    @Test
    void theServerWaitingOnThePortGivesItsCommand() throws Exception {
        MBeanServer server = with(Map.of(
                "Catalina:type=Server", Map.of("portWithOffset", 8005, "port", 8005, "shutdown", "SHUTDOWN"),
                "Other:type=Server", Map.of("portWithOffset", 9005, "port", 8005, "shutdown", "OTHER"),
                "Catalina:type=Service", Map.of("portWithOffset", 7005, "shutdown", "NOT-A-SERVER")));
        assertEquals(Optional.of("SHUTDOWN"), TomcatShutdownCommand.of(server, 8005));
        assertEquals(Optional.of("OTHER"), TomcatShutdownCommand.of(server, 9005), "portWithOffset is the bound port");
        assertEquals(Optional.empty(), TomcatShutdownCommand.of(server, 7005), "only type=Server");
        assertEquals(Optional.empty(), TomcatShutdownCommand.of(server, 1234));
    }

    @Test
    void aTomcatWithoutPortOffsetsIsReadByItsPort() throws Exception {
        MBeanServer server = with(Map.of("Catalina:type=Server", Map.of("port", 8005, "shutdown", "OLD")));
        assertEquals(Optional.of("OLD"), TomcatShutdownCommand.of(server, 8005));
    }

    @Test
    void anMBeanThatFailsOrLacksTheCommandGivesNothing() throws Exception {
        assertEquals(Optional.empty(), TomcatShutdownCommand.of(with(Map.of("Catalina:type=Server",
                Map.of("portWithOffset", 8005))), 8005));
        assertEquals(Optional.empty(), TomcatShutdownCommand.of(with(Map.of("Catalina:type=Server",
                Map.of("portWithOffset", 8005, "shutdown", new IllegalStateException("boom")))), 8005));
        assertEquals(Optional.empty(), TomcatShutdownCommand.of(with(Map.of()), 8005));
    }
}
