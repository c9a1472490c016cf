; Boot sector that proves a disk is writable and what it keeps: it reads a counter from LBA 1 of
; its own disk (INT 13h AH=42h, extended read, through iPXE's sanboot INT 13h hook), prints
; "MARK <n>" on COM1, writes n+1 back (AH=43h, extended write), prints "SAVED <n+1>" and
; "OVERLAY-BOOT-DONE", and halts. Any INT 13h error prints "OVERLAY-BOOT-FAILED <step> AH=<code>".
;
; LBA 1 layout: "CBCOUNTR" (8 bytes), then the counter as a little-endian 16-bit word.
; Build: nasm -f bin -o counter.bin counter.asm   (512 bytes; LBA 1 is written by the test)
bits 16
org 0x7c00
BUF equ 0x7e00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti                 ; iPXE polls the network inside INT 13h: keep interrupts on
    mov [drive], dl     ; the BIOS/iPXE boot drive (0x80 for the SAN disk)
    ; let iPXE's last characters leave the UART (transmitter empty) before programming it
    mov dx, 0x3fd
    mov cx, 0xffff
.drain:
    in al, dx
    test al, 0x40
    jnz .drained
    loop .drain
.drained:
    ; COM1: 115200 8N1
    mov dx, 0x3f9
    xor al, al
    out dx, al
    mov dx, 0x3fb
    mov al, 0x80
    out dx, al
    mov dx, 0x3f8
    mov al, 1
    out dx, al
    mov dx, 0x3f9
    xor al, al
    out dx, al
    mov dx, 0x3fb
    mov al, 0x03
    out dx, al

    ; INT 13h extensions present? (AH=41h, BX=55AAh -> CF=0, BX=AA55h)
    mov ah, 0x41
    mov bx, 0x55aa
    mov dl, [drive]
    int 0x13
    mov si, s_ext
    jc fail
    cmp bx, 0xaa55
    jne fail

    ; read LBA 1
    call dap_reset
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    mov si, s_read
    jc fail
    ; magic
    mov si, magic
    mov di, BUF
    mov cx, 8
    repe cmpsb
    mov si, s_magic
    mov ah, 0
    jne fail

    mov si, s_mark
    call puts
    mov ax, [BUF + 8]
    call putdec
    mov si, s_crlf
    call puts

    ; write n+1 back to LBA 1
    inc word [BUF + 8]
    call dap_reset
    mov ax, 0x4300      ; AL=0: no verify
    mov dl, [drive]
    mov si, dap
    int 0x13
    mov si, s_write
    jc fail

    mov si, s_saved
    call puts
    mov ax, [BUF + 8]
    call putdec
    mov si, s_done
    call puts
    jmp halt

; SI = the failed step's name, AH = the INT 13h status
fail:
    push ax
    push si
    mov si, s_failed
    call puts
    pop si
    call puts
    mov si, s_ah
    call puts
    pop ax
    mov al, ah
    xor ah, ah
    call putdec
    mov si, s_crlf
    call puts
halt:
    cli
.h: hlt
    jmp .h

dap_reset:
    mov byte [dap], 16
    mov byte [dap + 1], 0
    mov word [dap + 2], 1       ; one block
    mov word [dap + 4], BUF     ; offset
    mov word [dap + 6], 0       ; segment
    mov dword [dap + 8], 1      ; LBA 1
    mov dword [dap + 12], 0
    ret

; AL -> COM1
putc:
    push dx
    push ax
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    pop ax
    mov dx, 0x3f8
    out dx, al
    pop dx
    ret

; DS:SI zero-terminated -> COM1
puts:
    lodsb
    test al, al
    jz .e
    call putc
    jmp puts
.e: ret

; AX unsigned -> decimal on COM1
putdec:
    xor cx, cx
    mov bx, 10
.d: xor dx, dx
    div bx
    push dx
    inc cx
    test ax, ax
    jnz .d
.p: pop ax
    add al, '0'
    call putc
    loop .p
    ret

drive:    db 0
magic:    db "CBCOUNTR"
s_mark:   db 13, 10, "MARK ", 0
s_saved:  db "SAVED ", 0
s_done:   db 13, 10, "OVERLAY-BOOT-DONE", 13, 10, 0
s_failed: db 13, 10, "OVERLAY-BOOT-FAILED ", 0
s_ext:    db "no-int13-extensions", 0
s_read:   db "read-lba1", 0
s_magic:  db "counter-magic", 0
s_write:  db "write-lba1", 0
s_ah:     db " AH=", 0
s_crlf:   db 13, 10, 0
dap:      times 16 db 0
times 510-($-$$) db 0
dw 0xAA55
