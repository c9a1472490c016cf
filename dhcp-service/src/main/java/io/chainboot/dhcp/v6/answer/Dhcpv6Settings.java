package io.chainboot.dhcp.v6.answer;

import java.time.Duration;

/**
 * What the DHCPv6 answers need.
 *
 * @param addresses   full mode: IA_NA addresses are leased; false (proxy style): boot options only, every IA
 *                    answered NoAddrsAvail (the LAN's own DHCPv6 server or SLAAC gives the address)
 * @param serverDuid  this server's DUID (RFC 8415 §11), option 2 of every answer
 * @param tftpUrlBase {@code tftp://[<server address>]/} for PXE firmware's loader
 * @param httpUrlBase {@code http://[<server address>]:<port>/boot-files/} for HTTP Boot firmware's loader
 *                    (or a whole {@code .efi} URL); null = HTTP Boot clients get no option 59
 * @param efiX64      loader file for x64 UEFI (arch 7, 9, 16)
 * @param scriptUrl   script-service's {@code /boot.ipxe} URL (over IPv6) for iPXE (user class {@code iPXE})
 * @param leaseTime   valid lifetime of a leased address; preferred = valid, T1 = ½, T2 = ⅞ (RFC 8415 §21.4)
 */
public record Dhcpv6Settings(boolean addresses, byte[] serverDuid, String tftpUrlBase, String httpUrlBase, String efiX64,
                             String scriptUrl, Duration leaseTime) {
    public Dhcpv6Settings {
        serverDuid = serverDuid.clone();
    }

    @Override
    public byte[] serverDuid() {
        return serverDuid.clone();
    }
}
