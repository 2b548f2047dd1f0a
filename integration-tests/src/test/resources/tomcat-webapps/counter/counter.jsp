<%--
  The session counter of the shared-sessions tests, an unmodified JSP: each request adds one to the session
  attribute "count" and answers "count=N worker=W" (W: the jcluster worker that served it).
--%><%@ page contentType="text/plain; charset=UTF-8" session="true" %><%
    Integer count = (Integer) session.getAttribute("count");
    count = count == null ? 1 : count + 1;
    session.setAttribute("count", count);
%>count=<%= count %> worker=<%= System.getProperty("jcluster.worker.id") %>
