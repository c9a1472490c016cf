; Minimal MBR boot sector: prints a marker on COM1 (0x3f8), then halts forever.
; Loaded by iPXE's `sanboot` from LUN 0 of the machine's iSCSI disk (BIOS INT 13h hook).
; Build: nasm -f bin -DMARKER='"ISCSI-MBR-BOOTED"' -o mbr.bin mbr.asm
%ifndef MARKER
%define MARKER "ISCSI-MBR-BOOTED"
%endif
bits 16
org 0x7c00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7c00
    ; COM1: 115200 8N1 (harmless for QEMU, correct on a real UART)
    mov dx, 0x3f9
    xor al, al
    out dx, al          ; IER = 0
    mov dx, 0x3fb
    mov al, 0x80
    out dx, al          ; DLAB
    mov dx, 0x3f8
    mov al, 1
    out dx, al          ; divisor lo
    mov dx, 0x3f9
    xor al, al
    out dx, al          ; divisor hi
    mov dx, 0x3fb
    mov al, 0x03
    out dx, al          ; 8N1
    mov si, msg
.next:
    lodsb
    test al, al
    jz .done
    mov ah, al
    mov dx, 0x3fd
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, 0x3f8
    out dx, al
    jmp .next
.done:
    cli
.halt:
    hlt
    jmp .halt
msg: db 13, 10, MARKER, 13, 10, 0
times 510-($-$$) db 0
dw 0xAA55
