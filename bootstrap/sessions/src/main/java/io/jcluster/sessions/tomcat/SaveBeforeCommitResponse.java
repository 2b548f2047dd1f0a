package io.jcluster.sessions.tomcat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;

/**
 * The response the application sees while the valve shares its session: it runs the valve's save once, just before
 * the first thing the application does that can send the response to the client (the client must not see an answer
 * before the store holds what that answer says). Those points are the servlet spec's ways to commit a response:
 * {@code flushBuffer}, a flush or close of the output stream or the writer, a write that fills the buffer or reaches
 * the Content-Length the application set (Servlet 6.1, 5.7: the response is then closed and flushed), and
 * {@code sendError}/{@code sendRedirect} (which end the response from the application's side).
 */
final class SaveBeforeCommitResponse extends HttpServletResponseWrapper {

    private final Runnable save;
    private boolean saved;
    /** The Content-Length the application set, -1 when none. */
    private long contentLength = -1;
    /** Bytes the application wrote (an upper bound for text: chars times the charset's most bytes per char). */
    private long written;
    private Stream stream;
    private Writer writer;

    SaveBeforeCommitResponse(HttpServletResponse response, Runnable save) {
        super(response);
        this.save = save;
    }

    /** Runs the save, the first time only. */
    void beforeCommit() {
        if (!saved) {
            saved = true;
            save.run();
        }
    }

    /** Counts {@code bytes} about to be written; saves first when they fill the buffer or reach Content-Length. */
    private void beforeWrite(long bytes) {
        if (saved) {
            return;
        }
        written += bytes;
        if (contentLength >= 0 && written >= contentLength || written >= getBufferSize()) {
            beforeCommit();
        }
    }

    @Override
    public void flushBuffer() throws IOException {
        beforeCommit();
        super.flushBuffer();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        beforeCommit();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        beforeCommit();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        beforeCommit();
        super.sendRedirect(location);
    }

    // the three below exist from Servlet 6.1 (Tomcat 11) on; on Tomcat 10.1 nothing calls them
    @Override
    public void sendRedirect(String location, int sc) throws IOException {
        beforeCommit();
        super.sendRedirect(location, sc);
    }

    @Override
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        beforeCommit();
        super.sendRedirect(location, clearBuffer);
    }

    @Override
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        beforeCommit();
        super.sendRedirect(location, sc, clearBuffer);
    }

    @Override
    public void setContentLength(int len) {
        super.setContentLength(len);
        contentLength = len;
    }

    @Override
    public void setContentLengthLong(long len) {
        super.setContentLengthLong(len);
        contentLength = len;
    }

    @Override
    public void setHeader(String name, String value) {
        super.setHeader(name, value);
        contentLengthHeader(name, value);
    }

    @Override
    public void addHeader(String name, String value) {
        super.addHeader(name, value);
        contentLengthHeader(name, value);
    }

    @Override
    public void setIntHeader(String name, int value) {
        super.setIntHeader(name, value);
        contentLengthHeader(name, Integer.toString(value));
    }

    @Override
    public void addIntHeader(String name, int value) {
        super.addIntHeader(name, value);
        contentLengthHeader(name, Integer.toString(value));
    }

    private void contentLengthHeader(String name, String value) {
        if ("Content-Length".equalsIgnoreCase(name)) {
            try {
                contentLength = value == null ? -1 : Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                contentLength = -1; // Tomcat refuses it too
            }
        }
    }

    @Override
    public void reset() {
        super.reset();
        contentLength = -1;
        written = 0;
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        written = 0;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        ServletOutputStream out = super.getOutputStream();
        if (stream == null || stream.out != out) {
            stream = new Stream(out);
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        PrintWriter out = super.getWriter();
        if (writer == null || writer.out != out) {
            writer = new Writer(out, maxBytesPerChar(getCharacterEncoding()));
        }
        return writer;
    }

    private static float maxBytesPerChar(String encoding) {
        try {
            return Charset.forName(encoding).newEncoder().maxBytesPerChar();
        } catch (IllegalArgumentException | UnsupportedOperationException e) { // unknown name, no encoder
            return 4; // no charset encodes a char in more
        }
    }

    private final class Stream extends ServletOutputStream {
        final ServletOutputStream out;

        Stream(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            beforeWrite(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            beforeWrite(len);
            out.write(b, off, len);
        }

        /** Servlet 6.1 (Tomcat 11); on Tomcat 10.1 nothing calls it. */
        @Override
        public void write(ByteBuffer buffer) throws IOException {
            beforeWrite(buffer.remaining());
            out.write(buffer);
        }

        @Override
        public void flush() throws IOException {
            beforeCommit();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            beforeCommit();
            out.close();
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }
    }

    private final class Writer extends PrintWriter {
        final PrintWriter out;
        private final float bytesPerChar;

        Writer(PrintWriter out, float bytesPerChar) {
            super(out, false);
            this.out = out;
            this.bytesPerChar = bytesPerChar;
        }

        private void chars(int count) {
            beforeWrite((long) Math.ceil(count * (double) bytesPerChar));
        }

        @Override
        public void write(int c) {
            chars(1);
            out.write(c);
        }

        @Override
        public void write(char[] buf, int off, int len) {
            chars(len);
            out.write(buf, off, len);
        }

        @Override
        public void write(String s, int off, int len) {
            chars(len);
            out.write(s, off, len);
        }

        @Override
        public void println() {
            write(System.lineSeparator());
        }

        @Override
        public void flush() {
            beforeCommit();
            out.flush();
        }

        @Override
        public void close() {
            beforeCommit();
            out.close();
        }

        @Override
        public boolean checkError() {
            return out.checkError();
        }
    }
}
