package io.chainboot.dhcp.codec;

/** DHCP option codes used by Chainboot (RFC 2132, RFC 3004, RFC 3046, RFC 4578, iPXE). */
public final class OptionCode {
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DNS = 6;
    public static final int HOSTNAME = 12;
    public static final int VENDOR_SPECIFIC = 43;
    public static final int REQUESTED_IP = 50;
    public static final int LEASE_TIME = 51;
    public static final int OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_ID = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MESSAGE = 56;
    public static final int MAX_MESSAGE_SIZE = 57;
    public static final int RENEWAL_TIME = 58;
    public static final int REBINDING_TIME = 59;
    public static final int VENDOR_CLASS = 60;
    public static final int CLIENT_ID = 61;
    public static final int TFTP_SERVER_NAME = 66;
    public static final int BOOTFILE_NAME = 67;
    public static final int USER_CLASS = 77;
    public static final int RELAY_AGENT_INFO = 82;
    public static final int CLIENT_ARCH = 93;
    public static final int CLIENT_NDI = 94;
    public static final int CLIENT_UUID = 97;
    public static final int IPXE_ENCAP = 175;
    public static final int END = 255;

    /** PXE sub-option 6 of option 43 (PXE spec 2.1 §2.4): discovery control. */
    public static final int PXE_DISCOVERY_CONTROL = 6;
    /** iPXE sub-option 176 of option 175: skip waiting for proxyDHCP offers. */
    public static final int IPXE_NO_PXEDHCP = 176;
    /** iPXE sub-option 8 of option 175: keep the SAN device registered after boot. */
    public static final int IPXE_KEEP_SAN = 8;

    private OptionCode() {
    }
}
