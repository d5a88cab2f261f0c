/* Compiler annotations shared by every module. */
#ifndef VD_COMPILER_H
#define VD_COMPILER_H

#define VD_MUST_CHECK       __attribute__((warn_unused_result))
#define VD_PRINTF(fmt, arg) __attribute__((format(printf, fmt, arg)))
#define VD_ARRAY_LEN(a)     (sizeof(a) / sizeof((a)[0]))

#endif
