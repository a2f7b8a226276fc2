#ifndef NUDGE_CHIREDIS_SHIM_H
#define NUDGE_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>

#endif
