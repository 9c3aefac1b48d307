#pragma once
// How upstate's out-of-line bodies are compiled (the parsers and writers in
// <upstate/impl/*.ipp>, which need RapidJSON).
//
// Header-only (the default): each header includes its .ipp at its end and
// the bodies are `inline`; one #include is all a user does.
//
// Separate compilation: define UPSTATE_SEPARATE_COMPILATION in every
// translation unit (-DUPSTATE_SEPARATE_COMPILATION) and compile the bodies
// once, in one of them: `#include <upstate/impl/src.hpp>`, or with the single
// header `#define UPSTATE_IMPLEMENTATION` before `#include "upstate.hpp"`.
// The headers then carry declarations only, and no other translation unit
// parses RapidJSON or instantiates its parser (README, "Compile time").
// Mixing the modes across translation units of one program is an ODR
// violation: set the macro for the whole build.
#if defined(UPSTATE_IMPLEMENTATION) && !defined(UPSTATE_SEPARATE_COMPILATION)
#define UPSTATE_SEPARATE_COMPILATION
#endif

#ifdef UPSTATE_SEPARATE_COMPILATION
#define UPSTATE_DECL
#else
#define UPSTATE_DECL inline
#endif
