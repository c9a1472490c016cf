package io.chainboot.dhcp.boot;

import io.chainboot.dhcp.codec.DhcpPacket;
import io.chainboot.dhcp.codec.OptionCode;
import io.chainboot.events.ClientKind;
import io.chainboot.events.MacAddress;

import java.util.Optional;

/**
 * What a DHCP request says about the program that sent it.
 *
 * @param kind        iPXE (option 77 {@code iPXE}), firmware (option 60 {@code PXEClient…}/{@code HTTPClient…}) or OS
 * @param arch        RFC 4578 §2.1 option 93, empty if absent
 * @param vendorClass option 60, empty if absent
 * @param httpClient  option 60 starts with {@code HTTPClient} (UEFI HTTP Boot, UEFI 2.5 §24.7)
 * @param uuid        option 97 as text, empty if absent
 * @param asksBootFile option 55 lists 67 (bootfile name), as generic clients such as nmap's do
 * @param mac         chaddr when it is an Ethernet address
 */
public record ClientInfo(ClientKind kind, Optional<Integer> arch, Optional<String> vendorClass, boolean httpClient,
                         Optional<String> uuid, boolean asksBootFile, Optional<MacAddress> mac) {

    public static ClientInfo of(DhcpPacket p) {
        Optional<String> vc = p.vendorClass();
        boolean ipxe = p.userClasses().contains("iPXE");
        boolean pxe = vc.filter(v -> v.startsWith("PXEClient")).isPresent();
        boolean http = vc.filter(v -> v.startsWith("HTTPClient")).isPresent();
        ClientKind kind = ipxe ? ClientKind.IPXE : (pxe || http) ? ClientKind.FIRMWARE : ClientKind.OS;
        boolean asks = p.options().bytes(OptionCode.PARAMETER_REQUEST_LIST)
                .map(prl -> { for (byte b : prl) { if ((b & 0xFF) == OptionCode.BOOTFILE_NAME) { return true; } } return false; })
                .orElse(false);
        return new ClientInfo(kind, p.clientArch(), vc, http, p.clientUuid(), asks, p.mac());
    }

    /** A client that asked for network boot information (proxyDHCP answers only these). */
    public boolean isBootClient() {
        return kind != ClientKind.OS;
    }
}
