; Minimal x86-64 UEFI application (hand-made PE32+), position independent, no relocations.
; Prints the marker via SystemTable->ConOut->OutputString and also writes it straight to
; COM1 (0x3f8), then halts forever. Installed as \EFI\BOOT\BOOTX64.EFI on the disk's ESP
; (UEFI 2.x §3.5.1.1 removable-media boot path), which iPXE's `sanboot` hands to the firmware.
; Build: nasm -f bin -DMARKER='"ISCSI-EFI-BOOTED"' -o BOOTX64.EFI efiapp.asm
%ifndef MARKER
%define MARKER "ISCSI-EFI-BOOTED"
%endif
bits 64
default rel
%define IMAGE_BASE 0x400000
%define SECT_ALIGN 0x1000
%define FILE_ALIGN 0x200

section .text start=0
mz:     dw 'MZ'
        times 0x3c-($-mz) db 0
        dd pe - mz                       ; e_lfanew
pe:     dd 'PE'                          ; "PE\0\0"
        dw 0x8664                        ; Machine x86-64
        dw 1                             ; NumberOfSections
        dd 0, 0, 0                       ; TimeDateStamp, PtrToSymTab, NumSyms
        dw opt_end - opt                 ; SizeOfOptionalHeader
        dw 0x0206                        ; EXECUTABLE | LINE_NUMS_STRIPPED | DEBUG_STRIPPED
opt:    dw 0x20b                         ; PE32+
        db 0, 0                          ; linker version
        dd code_size                     ; SizeOfCode
        dd 0, 0                          ; SizeOfInitializedData, SizeOfUninitializedData
        dd SECT_ALIGN + (entry - code)   ; AddressOfEntryPoint (RVA)
        dd SECT_ALIGN                    ; BaseOfCode
        dq IMAGE_BASE                    ; ImageBase
        dd SECT_ALIGN, FILE_ALIGN        ; SectionAlignment, FileAlignment
        dw 0, 0, 0, 0, 0, 0              ; OS/Image/Subsystem versions
        dd 0                             ; Win32VersionValue
        dd SECT_ALIGN * 2                ; SizeOfImage
        dd FILE_ALIGN                    ; SizeOfHeaders
        dd 0                             ; CheckSum
        dw 10                            ; Subsystem = EFI_APPLICATION
        dw 0                             ; DllCharacteristics
        dq 0x10000, 0x10000, 0x10000, 0  ; stack reserve/commit, heap reserve/commit
        dd 0                             ; LoaderFlags
        dd 16                            ; NumberOfRvaAndSizes
        times 16 dq 0                    ; data directories (no relocs needed: PIC)
opt_end:
        db '.text', 0, 0, 0              ; section header
        dd SECT_ALIGN                    ; VirtualSize
        dd SECT_ALIGN                    ; VirtualAddress
        dd code_size                     ; SizeOfRawData
        dd FILE_ALIGN                    ; PointerToRawData
        dd 0, 0                          ; relocs, linenums
        dw 0, 0
        dd 0xE0000020                    ; CODE | EXECUTE | READ | WRITE
        times FILE_ALIGN-($-mz) db 0

code:
entry:  sub rsp, 40                      ; shadow space + align
        mov rcx, [rdx + 64]              ; SystemTable->ConOut
        lea rdx, [wmsg]
        call [rcx + 8]                   ; ConOut->OutputString(ConOut, wmsg)
        lea rsi, [amsg]                  ; and raw COM1 as a belt-and-braces path
.next:  lodsb
        test al, al
        jz .halt
        mov ah, al
        mov dx, 0x3fd
.wait:  in al, dx
        test al, 0x20
        jz .wait
        mov al, ah
        mov dx, 0x3f8
        out dx, al
        jmp .next
.halt:  hlt
        jmp .halt
wmsg:   dw __utf16__(`\r\n`), __utf16__(MARKER), __utf16__(`\r\n`), 0
amsg:   db `\r\n`, MARKER, ` (raw COM1)\r\n`, 0
        times FILE_ALIGN-($-code) db 0
code_size equ $ - code
