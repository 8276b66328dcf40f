/** Small, known-good packages for the validator tests, and ways to write them as folders or zips. */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Course } from '../../../../src/core/course/load.js';
import { webTarget } from '../../../../src/core/package/targets/web.js';
import type { PlayerLesson } from '../../../../src/core/player-build/config.js';
import { renderLaunchPage } from '../../../../src/core/player-build/launch-page.js';
import { schemaFilesToShip, type SchemaSet } from '../../../../src/core/validate/xsd.js';
import { buildZip, type RawEntry } from './zip-writer.js';

/** Package contents: path -> text or bytes. */
export type Files = Record<string, string | Buffer>;

/** The official control files a SCORM package of this set ships at its root. */
export function schemaFiles(set: SchemaSet): Files {
  const out: Files = {};
  for (const f of schemaFilesToShip(set)) out[f.to] = readFileSync(f.from);
  return out;
}

/** A valid SCORM 2004 4th Edition manifest: two items, a SCO, a shared asset resource. */
export const MANIFEST_2004 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.course" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Course</title>
      <item identifier="item_1" identifierref="res_1">
        <title>Lesson 1</title>
      </item>
      <item identifier="item_2" identifierref="res_2">
        <title>Lesson 2</title>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_1" type="webcontent" adlcp:scormType="sco" href="lesson1/index.html">
      <file href="lesson1/index.html"/>
      <dependency identifierref="res_common"/>
    </resource>
    <resource identifier="res_2" type="webcontent" adlcp:scormType="sco" href="lesson2/index.html?start=1#top">
      <file href="lesson2/index.html"/>
      <file href="lesson2/my%20notes.pdf"/>
      <dependency identifierref="res_common"/>
    </resource>
    <resource identifier="res_common" type="webcontent" adlcp:scormType="asset">
      <file href="shared/player.js"/>
      <file href="shared/intro.mp4"/>
    </resource>
  </resources>
</manifest>
`;

/** A complete, valid SCORM 2004 4th Edition package. */
export function scorm2004Package(manifest = MANIFEST_2004): Files {
  return {
    'imsmanifest.xml': manifest,
    'lesson1/index.html': '<!doctype html><title>1</title>',
    'lesson2/index.html': '<!doctype html><title>2</title>',
    'lesson2/my notes.pdf': '%PDF-1.4\n',
    'shared/player.js': 'console.log(1);\n',
    'shared/intro.mp4': Buffer.alloc(64),
    ...schemaFiles('scorm2004-4th'),
  };
}

/** A SCORM 1.2 manifest as authoring tools write it: inline imsmd LOM metadata, masteryscore. */
export const MANIFEST_12 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="Course_ID1" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
    <lom xmlns="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
      <general>
        <title><langstring xml:lang="en-US">Opening client files</langstring></title>
        <description><langstring xml:lang="en-US">A short course</langstring></description>
        <keyword><langstring xml:lang="en-US">mobile</langstring></keyword>
      </general>
    </lom>
  </metadata>
  <organizations default="TOC1">
    <organization identifier="TOC1">
      <title>Opening client files</title>
      <item identifier="I_SCO0" identifierref="SCO0">
        <title>Opening client files</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="SCO0" type="webcontent" adlcp:scormtype="sco" href="index_lms.html">
      <file href="index_lms.html"/>
      <file href="story_content/data.js"/>
    </resource>
  </resources>
</manifest>
`;

/** A complete, valid SCORM 1.2 package. */
export function scorm12Package(manifest = MANIFEST_12): Files {
  return {
    'imsmanifest.xml': manifest,
    'index_lms.html': '<!doctype html><title>x</title>',
    'story_content/data.js': 'var d = 1;\n',
    ...schemaFiles('scorm12'),
  };
}

/** A valid cmi5.xml with one relative AU. */
export const CMI5_XML = `<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.com/courses/c1">
    <title><langstring lang="en-US">Course</langstring></title>
    <description><langstring lang="en-US">A course</langstring></description>
  </course>
  <au id="https://example.com/courses/c1/au/1" moveOn="CompletedOrPassed" masteryScore="0.8">
    <title><langstring lang="en-US">Lesson 1</langstring></title>
    <description><langstring lang="en-US">The lesson</langstring></description>
    <url>player/index.html?lesson=1</url>
  </au>
</courseStructure>
`;

/** A valid cmi5 package. */
export function cmi5Package(xml = CMI5_XML): Files {
  return { 'cmi5.xml': xml, 'player/index.html': '<!doctype html><title>p</title>' };
}

/** A valid tincan.xml (Articulate-style). */
export const TINCAN_XML = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd">
  <activities>
    <activity id="https://example.com/courses/c1" type="http://adlnet.gov/expapi/activities/course">
      <name lang="en-US">Course</name>
      <description lang="en-US">A course</description>
      <launch lang="en-US">index_lms.html</launch>
    </activity>
    <activity id="https://example.com/courses/c1/q1" type="http://adlnet.gov/expapi/activities/cmi.interaction">
      <name lang="en-US">Question 1</name>
    </activity>
  </activities>
</tincan>
`;

/** A valid xAPI package. */
export function xapiPackage(xml = TINCAN_XML): Files {
  return { 'tincan.xml': xml, 'index_lms.html': '<!doctype html><title>p</title>' };
}

/**
 * A web bundle as lessonkit's `web` target writes it (the real launch page and its player
 * configuration), with the player, one lesson's media and its workbook.
 */
export async function webPackage(): Promise<Files> {
  // Only the fields the launch page reads; the rest of a loaded course is irrelevant here.
  const course = { id: 'demo', version: '1.0.0', title: 'Demo', language: 'en-US', description: 'A demo', completion: { watchedPercent: 90, requireWorkbook: false } } as unknown as Course;
  const lessons: PlayerLesson[] = [
    {
      id: 'intro',
      title: 'Intro',
      objectives: [],
      segments: [{ id: 'why', title: 'Why', video: 'media/intro/why.mp4', poster: 'media/intro/why.jpg', captions: 'media/intro/why.vtt', duration: 10 }],
      materials: [{ kind: 'workbook', label: 'Workbook', href: 'materials/workbooks/intro.html' }],
    },
  ];
  const out = await webTarget.write({ course, shared: [], unitPerLesson: false, renderLaunchPage: (o) => renderLaunchPage(course, lessons, o) });
  const files: Files = {};
  for (const f of out.files) files[f.path] = typeof f.content === 'string' ? f.content : Buffer.from(f.content ?? '');
  return {
    ...files,
    'player/player.js': 'console.log(1);\n',
    'player/player.css': 'body{}\n',
    'media/intro/why.mp4': Buffer.alloc(64),
    'media/intro/why.jpg': Buffer.alloc(16),
    'media/intro/why.vtt': 'WEBVTT\n',
    'materials/workbooks/intro.html': '<!doctype html><title>w</title>',
  };
}

/** Writes the files under `dir`. */
export async function writeFolder(dir: string, files: Files): Promise<void> {
  for (const [name, data] of Object.entries(files)) {
    const full = path.join(dir, ...name.split('/'));
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, data);
  }
}

/** Zips the files (text deflated, the rest stored), optionally under a folder prefix. */
export function zipFiles(files: Files, options: { prefix?: string; zip64?: boolean } = {}): Buffer {
  const entries: RawEntry[] = Object.entries(files)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, data]) => ({ name: (options.prefix ?? '') + name, data, method: typeof data === 'string' || /\.(xsd|dtd|xml)$/.test(name) ? 8 : 0 }));
  return buildZip(entries, { zip64: options.zip64 });
}
