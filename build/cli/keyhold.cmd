@echo off
rem `keyhold` for the packaged Keyhold app (Windows): runs the bundled CLI
rem (resources\cli\keyhold.mjs, beside this script) with Keyhold.exe in Node
rem mode, so no separate Node.js is needed. "Install the keyhold command" in
rem Keyhold's settings adds this folder to the user PATH.
setlocal
set "KEYHOLD_LAUNCHER=%~f0"
set "ELECTRON_RUN_AS_NODE=1"
"%~dp0..\..\Keyhold.exe" "%~dp0keyhold.mjs" %*
exit /b %ERRORLEVEL%
