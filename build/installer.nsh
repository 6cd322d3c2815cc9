; Included by electron-builder's NSIS script (nsis.include in electron-builder.yml).
; electron-builder's `protocols` does not reach Windows: register keyhold:// for
; the current user here, and remove it on uninstall (the app's own
; setAsDefaultProtocolClient writes the same key, so uninstalling must clear it).

!macro customInstall
  WriteRegStr HKCU "Software\Classes\keyhold" "" "URL:Keyhold request"
  WriteRegStr HKCU "Software\Classes\keyhold" "URL Protocol" ""
  WriteRegStr HKCU "Software\Classes\keyhold\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr HKCU "Software\Classes\keyhold\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
!macroend

!macro customUnInstall
  DeleteRegKey HKCU "Software\Classes\keyhold"
!macroend
