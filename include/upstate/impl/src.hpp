#pragma once
// The out-of-line bodies of upstate's core, compiled once: with
// UPSTATE_SEPARATE_COMPILATION defined for the whole build, include this
// file in exactly one translation unit (detail/linkage.hpp; README,
// "Compile time"). Every other translation unit then sees declarations
// only, and neither RapidJSON nor the parsers.
#ifndef UPSTATE_SEPARATE_COMPILATION
#define UPSTATE_SEPARATE_COMPILATION
#endif

#include <upstate/upstate.hpp>

#include <upstate/impl/api_step.ipp>
#include <upstate/impl/batch.ipp>
#include <upstate/impl/batch_drive.ipp>
#include <upstate/impl/batch_tickets.ipp>
#include <upstate/impl/dataset_fetch.ipp>
#include <upstate/impl/upload.ipp>
#include <upstate/impl/upload_restore.ipp>
#include <upstate/impl/upload_snapshot.ipp>
#include <upstate/impl/wire_dataset.ipp>
#include <upstate/impl/wire_dataset_status.ipp>
#include <upstate/impl/wire_error_body.ipp>
#include <upstate/impl/wire_import_report.ipp>
#include <upstate/impl/wire_s3_error.ipp>
#include <upstate/impl/wire_upload_url.ipp>
