package io.chainboot.dhcp;

import io.chainboot.dhcp.codec.DhcpOptions;
import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.MessageType;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;

import java.util.HexFormat;
import java.util.function.Consumer;

/** Builds client requests for tests: firmware, iPXE and OS flavours. */
public final class Requests {
    public static final String UUID_HEX = "000123456789abcdef0123456789abcdef";

    private Requests() {
    }

    public static DhcpPacket request(MacAddress mac, MessageType type, Consumer<DhcpOptions.Builder> opts) {
        return request(mac, type, Ipv4Address.ANY, Ipv4Address.ANY, opts);
    }

    public static DhcpPacket request(MacAddress mac, MessageType type, Ipv4Address ciaddr, Ipv4Address giaddr,
                                     Consumer<DhcpOptions.Builder> opts) {
        DhcpOptions.Builder o = DhcpOptions.builder().u8(OptionCode.MESSAGE_TYPE, type.code());
        opts.accept(o);
        return new DhcpPacket(DhcpPacket.BOOTREQUEST, 1, 6, 0, 0x12345678, 0, 0, ciaddr, Ipv4Address.ANY,
                Ipv4Address.ANY, giaddr, mac.toBytes(), "", "", o.build());
    }

    /** PXE firmware of the given RFC 4578 architecture. */
    public static Consumer<DhcpOptions.Builder> pxe(int arch) {
        return o -> o.string(OptionCode.VENDOR_CLASS, String.format("PXEClient:Arch:%05d:UNDI:003016", arch))
                .put(OptionCode.CLIENT_ARCH, new byte[] {(byte) (arch >> 8), (byte) arch})
                .put(OptionCode.CLIENT_NDI, new byte[] {1, 3, 16})
                .put(OptionCode.CLIENT_UUID, HexFormat.of().parseHex(UUID_HEX));
    }

    /** iPXE as it sends its DHCP: the PXE options plus 77 = "iPXE" (bare) and 175 feature flags. */
    public static Consumer<DhcpOptions.Builder> ipxe(int arch) {
        return pxe(arch).andThen(o -> o.string(OptionCode.USER_CLASS, "iPXE")
                .put(OptionCode.IPXE_ENCAP, new byte[] {(byte) 0xb1, 5, 1, 0x10, (byte) 0xec, (byte) 0x81, 0x39, 0x13, 1, 1}));
    }

    /** UEFI HTTP Boot firmware as OVMF sends it (UEFI 2.5 §24.7): 60 {@code HTTPClient:Arch:…}, 93 = arch, 97. */
    public static Consumer<DhcpOptions.Builder> http(int arch) {
        return o -> o.string(OptionCode.VENDOR_CLASS, String.format("HTTPClient:Arch:%05d:UNDI:003001", arch))
                .put(OptionCode.CLIENT_ARCH, new byte[] {(byte) (arch >> 8), (byte) arch})
                .put(OptionCode.CLIENT_NDI, new byte[] {1, 3, 1})
                .put(OptionCode.CLIENT_UUID, HexFormat.of().parseHex(UUID_HEX));
    }

    public static Consumer<DhcpOptions.Builder> none() {
        return o -> { };
    }
}
