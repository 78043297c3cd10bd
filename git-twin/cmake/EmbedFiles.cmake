# embed_files(OUTPUT <cpp> NAMESPACE_FUNC <name> BASE <dir> FILES <f>...)
#
# Generates a .cpp that defines `std::span<const twin::EmbeddedFile> <name>()` holding
# each file's bytes and its path relative to BASE. Bytes are written as a hex array so any
# content (including `)"`) embeds safely. The generation runs at build time and reruns
# when a listed file changes.
function(embed_files)
  cmake_parse_arguments(E "" "OUTPUT;FUNCTION;BASE" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${E_OUTPUT} -DFUNCTION=${E_FUNCTION} -DBASE=${E_BASE}
            "-DFILES=${E_FILES}" -P ${CMAKE_SOURCE_DIR}/git-twin/cmake/EmbedFilesScript.cmake
    DEPENDS ${E_FILES} ${CMAKE_SOURCE_DIR}/git-twin/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding files for ${E_FUNCTION}"
    VERBATIM)
endfunction()
