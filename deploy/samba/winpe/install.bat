@echo off
rem Started by winpeshl.ini inside WinPE (wimboot puts both files in X:\Windows\System32).
rem Replace SERVER with the address of the Samba service (deploy/samba).
wpeinit
net use S: \\SERVER\install "" /user:guest
S:\setup.exe
