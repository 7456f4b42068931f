/* ---------------------------------------------------------------------
   JSON (RFC 8259)

   Socket.IO event arguments travel as one JSON array per packet, e.g.
   42["chat",{"from":"ann","text":"hi"}]. Two halves:

   * a writer that appends compact text, byte-for-byte what JavaScript's
     JSON.stringify would produce, to an sio_buf;
   * a reader that validates a text once (sio_json_parse) and then walks
     it lazily: every sio_json is a {ptr,len} view of one value inside the
     caller's text, so nothing is allocated and views stay valid exactly as
     long as the text does. Lookups (sio_json_at, sio_json_get) rescan the
     container from its start; use sio_json_iter to visit every item in
     linear time.
   ------------------------------------------------------------------- */

/* 1 if s[0..n) is valid UTF-8 by RFC 3629: no overlong forms, no
   surrogates (U+D800..U+DFFF), nothing above U+10FFFF. */
SIO_API int sio_utf8_valid(const char *s, size_t n);

/* ---- writer ---- */

/* Misuse (a value inside an object without a key, a key inside an array,
   an end that does not match its begin, a second top-level value) sets
   err to SIO_ERR_STATE; nesting deeper than SIO_JSON_MAX_DEPTH gives
   SIO_ERR_TOO_BIG; a string that is not UTF-8 gives SIO_ERR_UTF8. After
   the first error every call is ignored, so a whole sequence of calls is
   checked once by sio_json_writer_finish(). */
typedef struct sio_json_writer {
    sio_buf *out;            /* where text goes; errors stick in out->err */
    int depth;               /* current nesting */
    unsigned char first[SIO_JSON_MAX_DEPTH + 1]; /* 1 = next value is the first in its container */
    unsigned char is_obj[SIO_JSON_MAX_DEPTH + 1]; /* 1 = container at this depth is an object */
    int after_key;           /* a key was just written: the next value needs no comma */
    int err;                 /* first error: SIO_ERR_TOO_BIG (depth), SIO_ERR_STATE (misuse), SIO_ERR_UTF8 */
} sio_json_writer;

SIO_API void sio_json_writer_init(sio_json_writer *w, sio_buf *out);
SIO_API void sio_json_obj_begin(sio_json_writer *w);
SIO_API void sio_json_obj_end(sio_json_writer *w);
SIO_API void sio_json_arr_begin(sio_json_writer *w);
SIO_API void sio_json_arr_end(sio_json_writer *w);
SIO_API void sio_json_key(sio_json_writer *w, const char *key);            /* NUL-terminated */
SIO_API void sio_json_key_n(sio_json_writer *w, const char *key, size_t n);
SIO_API void sio_json_str(sio_json_writer *w, const char *s);              /* NUL-terminated */
SIO_API void sio_json_str_n(sio_json_writer *w, const char *s, size_t n);
SIO_API void sio_json_int(sio_json_writer *w, long long v);
/* Shortest text that reads back as the same double, formatted like
   JavaScript: 1, 0.5, 100000000000000000000, 1e+21, 1e-7; NaN and
   infinities become null, -0 becomes 0. Always '.' whatever the locale. */
SIO_API void sio_json_num(sio_json_writer *w, double v);
SIO_API void sio_json_bool(sio_json_writer *w, int v);
SIO_API void sio_json_null(sio_json_writer *w);
/* Insert an already valid JSON value (not checked), with the right comma. */
SIO_API void sio_json_raw(sio_json_writer *w, const char *json, size_t n);
/* SIO_OK, or the first error of the writer or of its buffer. Also fails
   with SIO_ERR_STATE if containers are still open or nothing was written. */
SIO_API int  sio_json_writer_finish(sio_json_writer *w);

/* ---- reader ---- */

typedef enum sio_json_type {
    SIO_JSON_INVALID = 0,
    SIO_JSON_NULL,
    SIO_JSON_FALSE,
    SIO_JSON_TRUE,
    SIO_JSON_NUMBER,
    SIO_JSON_STRING,
    SIO_JSON_ARRAY,
    SIO_JSON_OBJECT
} sio_json_type;

/* A view of ONE value: ptr at its first character, len covers it exactly
   (a string includes its quotes, a container its brackets). */
typedef struct sio_json {
    const char *ptr;
    size_t len;
    sio_json_type type;
} sio_json;

/* The whole of text[0..n) must be exactly one value, whitespace around it
   allowed. Validates everything: grammar, UTF-8 inside strings, escapes
   (a \uD800-\uDBFF escape must be followed by a \uDC00-\uDFFF one, so
   every string unescapes to valid UTF-8), depth <= SIO_JSON_MAX_DEPTH.
   Returns SIO_OK, SIO_ERR_PARSE or SIO_ERR_TOO_BIG (depth); root (may be
   NULL) gets the value, or type SIO_JSON_INVALID on error. Never reads
   past n, never allocates, never recurses. */
SIO_API int sio_json_parse(const char *text, size_t n, sio_json *root);

/* Validate one value at the start of text (after optional whitespace);
   whatever follows it is left alone. *used = offset just past the value
   on success, the offset where the error was found otherwise. The
   Socket.IO packet parser uses this to find where the payload ends. */
SIO_API int sio_json_validate_prefix(const char *text, size_t n, size_t *used);

/* The functions below expect values that came from sio_json_parse (or
   from at/get/iter on such a value); on anything else they return
   nonsense but never read outside [ptr, ptr+len). */

SIO_API size_t sio_json_count(sio_json v);                        /* items of an array/object, else 0 */
SIO_API int    sio_json_at(sio_json arr, size_t i, sio_json *out); /* SIO_OK / SIO_ERR_NOT_FOUND */
SIO_API int    sio_json_get(sio_json obj, const char *key, sio_json *out); /* first member whose unescaped key equals key */

typedef struct sio_json_iter {
    sio_json parent;
    size_t pos;
} sio_json_iter;
SIO_API void sio_json_iter_init(sio_json_iter *it, sio_json container);
/* 1 while items remain. For objects *key is the member name (a string
   value, still escaped); for arrays key->type is SIO_JSON_INVALID. Either
   pointer may be NULL. */
SIO_API int  sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *val);

SIO_API double    sio_json_number(sio_json v);  /* 0 if not a number; correctly rounded, locale-independent */
SIO_API long long sio_json_integer(sio_json v); /* truncated toward zero, clamped to long long; exact for integer text */
SIO_API int       sio_json_is_true(sio_json v);
/* Unescape a string value into dst (always NUL-terminated when cap > 0,
   truncated like snprintf but never inside a UTF-8 sequence). Returns the
   full unescaped length, so a return >= cap means truncation; dst may be
   NULL when cap is 0. Not a string: returns 0, dst = "". Note "\u0000"
   unescapes to a NUL byte inside the result. */
SIO_API size_t    sio_json_strcpy(sio_json v, char *dst, size_t cap);
SIO_API int       sio_json_str_eq(sio_json v, const char *s); /* 1 if string value equals s after unescaping */
/* Content of a string value without its quotes, still escaped ({NULL,0}
   if not a string). Equal to the unescaped text when it has no '\\'. */
SIO_API sio_str   sio_json_raw_str(sio_json v);
