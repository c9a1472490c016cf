package io.chainboot.iscsi.session;

import io.chainboot.iscsi.login.LoginHandler;
import io.chainboot.iscsi.login.LoginStatus;

/** What the protocol layer reports to the service (events, metrics, logs); implemented outside this package. */
public interface SessionListener {
    void loginCompleted(Connection connection, LoginHandler.Result result);

    void loginRefused(Connection connection, String initiatorName, String targetName, LoginStatus status, String reason);

    void lunAttached(Connection connection, int lun, long blocks, int blockSize);

    void sessionEnded(Connection connection, String reason);

    void bytesRead(long n);

    void bytesWritten(long n);

    void invalidPdu(Connection connection, String reason);

    SessionListener NONE = new SessionListener() {
        @Override
        public void loginCompleted(Connection c, LoginHandler.Result r) {
        }

        @Override
        public void loginRefused(Connection c, String i, String t, LoginStatus s, String reason) {
        }

        @Override
        public void lunAttached(Connection c, int lun, long blocks, int blockSize) {
        }

        @Override
        public void sessionEnded(Connection c, String reason) {
        }

        @Override
        public void bytesRead(long n) {
        }

        @Override
        public void bytesWritten(long n) {
        }

        @Override
        public void invalidPdu(Connection c, String reason) {
        }
    };
}
