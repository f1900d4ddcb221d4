// zlib (Debian zlib1g-dev): SPDY/3's header blocks are zlib streams.
#include <zlib.h>
